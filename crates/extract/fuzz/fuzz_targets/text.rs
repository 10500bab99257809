//! Fuzzes the plain-text reader (and charset detection): raw bytes, which
//! sniffing reads as plain text unless they look like markup.
#![no_main]
libfuzzer_sys::fuzz_target!(init: cw_extract_fuzz::init(), |data: &[u8]| {
    cw_extract_fuzz::run(b"", data);
});
