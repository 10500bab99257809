//! Fuzzes the Markdown reader: the input follows an ATX heading and a link,
//! which make format sniffing choose Markdown.
#![no_main]
libfuzzer_sys::fuzz_target!(init: cw_extract_fuzz::init(), |data: &[u8]| {
    cw_extract_fuzz::run(b"# Terms\n\nSee [the policy](https://example.invalid/p).\n\n", data);
});
