//! `clausewatch label`: one JSON object per stdin line, with character spans.

use crate::util::Dir;

#[test]
fn labels_one_json_object_per_line() {
    let dir = Dir::new();
    let input = "We may modify this Policy at any time by posting a revised version on the AWS Site.\n\
                 Denial of Service (DoS). Inundating a target with communications requests so the target cannot respond.\n\
                 \n\
                 不满十四周岁的未成年人使用我们的服务前，应当取得其父母或者其他监护人的同意。\n";
    let out = dir.cmd().arg("label").write_stdin(input).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        4,
        "one output line per input line, blank ones included"
    );
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        ids(&lines[0]).contains(&"tos_unilateral_change".to_string()),
        "{}",
        lines[0]
    );
    assert!(
        ids(&lines[1]).contains(&"aup_network_denial_of_service".to_string()),
        "{}",
        lines[1]
    );
    assert!(ids(&lines[2]).is_empty());
    assert!(
        ids(&lines[3]).contains(&"pp_children".to_string()),
        "{}",
        lines[3]
    );
    // Spans are character offsets into the line.
    let text: Vec<char> = input.lines().next().unwrap().chars().collect();
    let l = lines[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "tos_unilateral_change")
        .unwrap();
    let (s, e) = (
        l["span"][0].as_u64().unwrap() as usize,
        l["span"][1].as_u64().unwrap() as usize,
    );
    let evidence: String = text[s..e].iter().collect();
    assert!(evidence.to_lowercase().contains("modify"), "{evidence}");
}
