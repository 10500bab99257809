//! Temporary: dumps pdf_oxide spans.
#![allow(clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let doc = pdf_oxide::PdfDocument::from_bytes(std::fs::read(path).unwrap()).unwrap();
    println!("encrypted={} auth={} pages={:?}", doc.is_encrypted(), doc.is_authenticated(), doc.page_count());
    for p in 0..doc.page_count().unwrap_or(0) {
        match doc.extract_spans(p) {
            Ok(spans) => for s in spans {
                println!("p{p} x={:.1} y={:.1} w={:.1} h={:.1} size={:.1} w={:?} font={} {:?}", s.bbox.x, s.bbox.y, s.bbox.width, s.bbox.height, s.font_size, s.font_weight, s.font_name, s.text);
            },
            Err(e) => println!("p{p} error {e}"),
        }
    }
}
