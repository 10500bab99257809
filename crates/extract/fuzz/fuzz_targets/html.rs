//! Fuzzes the HTML reader: the input follows a doctype, so it is read as HTML.
#![no_main]
libfuzzer_sys::fuzz_target!(init: cw_extract_fuzz::init(), |data: &[u8]| {
    cw_extract_fuzz::run(b"<!DOCTYPE html>", data);
});
