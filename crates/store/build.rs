//! Build script for `cw-store`: tells Cargo to rebuild the crate when a
//! migration file is added or edited, because `sqlx::migrate!` embeds the
//! migrations at compile time and a proc macro cannot watch a directory itself.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
