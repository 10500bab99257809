//! Storage: the archive of raw bytes and the database of versions.
#![deny(missing_docs)]
