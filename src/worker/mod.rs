//! The Cloudflare Worker: routes under `/auth` and `/api`, sessions in Workers KV.
//!
//! Built with `worker-build --release --no-default-features --features worker`.

pub mod respond;
mod entry;
