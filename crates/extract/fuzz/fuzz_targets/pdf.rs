//! Fuzzes the PDF reader: the input is read as a PDF (a `%PDF-` header is
//! added when the first kilobyte has none).
#![no_main]
libfuzzer_sys::fuzz_target!(init: cw_extract_fuzz::init(), |data: &[u8]| {
    let head = data.get(..1024).unwrap_or(data);
    let has_header = head.windows(5).any(|w| w == b"%PDF-");
    cw_extract_fuzz::run(if has_header { b"" } else { b"%PDF-1.7\n" }, data);
});
