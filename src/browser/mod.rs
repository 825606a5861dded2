//! The npm package for single-page apps: wasm-bindgen exports over the core.

pub mod storage;
