//! Build script of cw-analyze: tells the `encoder` feature whether the
//! encoder weights (`model/encoder/encoder.safetensors`) are present, so that
//! `Encoder::embedded()` embeds them when they are and returns `None` when a
//! checkout lacks them (the weights are committed once, by the lead; a local
//! placeholder comes from `encoder/export_pretrained.py`).

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cw_encoder_embedded)");
    // The folder, not the file: a path that does not exist would rerun
    // the script on every build.
    println!("cargo::rerun-if-changed=model/encoder");
    let dir = Path::new("model/encoder");
    let present = ["encoder.safetensors", "tokenizer.json", "encoder.json"]
        .iter()
        .all(|f| dir.join(f).is_file());
    if std::env::var_os("CARGO_FEATURE_ENCODER").is_some() && present {
        println!("cargo::rustc-cfg=cw_encoder_embedded");
    }
}
