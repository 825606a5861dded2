//! A stand-in for `cdn.discordapp.com`: small placeholder PNGs, generated in code, so pages
//! render offline. <https://discord.com/developers/docs/reference#image-formatting>

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::errors;
use crate::util::Params;

/// Discord's default-avatar palette (blurple, grey, green, yellow, red, pink).
const DEFAULT_COLOURS: [[u8; 3]; 6] = [
    [0x58, 0x65, 0xf2],
    [0x75, 0x7e, 0x8a],
    [0x3b, 0xa5, 0x5c],
    [0xfa, 0xa6, 0x1a],
    [0xed, 0x42, 0x45],
    [0xeb, 0x45, 0x9f],
];

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &d in data {
        a = (a + u32::from(d)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A `size`×`size` RGB PNG: a disc of a lighter shade on `colour` (zlib "stored" blocks, so no
/// compressor is needed).
pub fn placeholder_png(size: u32, colour: [u8; 3]) -> Vec<u8> {
    let light = colour.map(|c| c / 2 + 128);
    let mut raw = Vec::with_capacity((size * (size * 3 + 1)) as usize);
    let r = size as f32 / 3.0;
    let c = size as f32 / 2.0;
    for y in 0..size {
        raw.push(0); // filter: none
        for x in 0..size {
            let (dx, dy) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
            let px = if dx * dx + dy * dy <= r * r {
                light
            } else {
                colour
            };
            raw.extend_from_slice(&px);
        }
    }
    encode_png(size, 2, &raw)
}

/// A `size`×`size` RGBA PNG: a ring of `colour` around a transparent middle, the shape of an
/// avatar decoration drawn over an avatar.
pub fn placeholder_ring_png(size: u32, colour: [u8; 3]) -> Vec<u8> {
    let c = size as f32 / 2.0;
    let (inner, outer) = (size as f32 * 0.40, size as f32 * 0.49);
    let mut raw = Vec::with_capacity((size * (size * 4 + 1)) as usize);
    for y in 0..size {
        raw.push(0); // filter: none
        for x in 0..size {
            let (dx, dy) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
            let d = (dx * dx + dy * dy).sqrt();
            let alpha = if (inner..=outer).contains(&d) { 255 } else { 0 };
            raw.extend_from_slice(&[colour[0], colour[1], colour[2], alpha]);
        }
    }
    encode_png(size, 6, &raw)
}

/// A PNG of `raw` scanlines (each led by its filter byte), 8 bits per channel, of colour
/// type `colour_type` (2: RGB, 6: RGBA).
fn encode_png(size: u32, colour_type: u8, raw: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, colour_type, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn png_response(bytes: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    resp
}

/// `size` query parameter: a power of two from 16 to 4096; the placeholder is drawn at most
/// 256 pixels wide to stay small.
fn requested_size(req: &Request) -> Result<u32, Response> {
    let q = Params::parse(req.uri().query().unwrap_or("").as_bytes());
    match q.get("size") {
        None => Ok(128),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n.is_power_of_two() && (16..=4096).contains(&n) => Ok(n.min(256)),
            _ => Err(errors::discord(StatusCode::BAD_REQUEST, 0, "Invalid size")),
        },
    }
}

/// Any hashed image: `/cdn/{avatars,icons,banners,app-icons,…}/{id}/{hash}.{png|gif|webp|jpg}`.
/// Always a PNG (the colour derives from the path, so images differ).
pub async fn image(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((hash, ext)) = file.rsplit_once('.') else {
        return errors::not_found();
    };
    if hash.is_empty() || !matches!(ext, "png" | "gif" | "webp" | "jpg" | "jpeg") {
        return errors::not_found();
    }
    let size = match requested_size(&req) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let digest = Sha256::digest(path.rsplit_once('.').map_or(path.as_str(), |(p, _)| p));
    png_response(placeholder_png(size, [digest[0], digest[1], digest[2]]))
}

/// `/cdn/avatar-decoration-presets/{asset}.png`: a ring with a transparent middle, to lay
/// over an avatar (Discord serves decorations as PNG only, APNG when animated).
/// <https://discord.com/developers/docs/reference#image-formatting-cdn-endpoints>
pub async fn avatar_decoration(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some(asset) = file.strip_suffix(".png").filter(|a| !a.is_empty()) else {
        return errors::not_found();
    };
    let size = match requested_size(&req) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let digest = Sha256::digest(asset);
    png_response(placeholder_ring_png(
        size,
        [digest[0], digest[1], digest[2]],
    ))
}

/// `/cdn/embed/avatars/{index}.png`: the six default avatars (index 0–5).
pub async fn default_avatar(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let file = path.rsplit('/').next().unwrap_or_default();
    let index = file
        .strip_suffix(".png")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n < DEFAULT_COLOURS.len());
    let Some(index) = index else {
        return errors::not_found();
    };
    let size = match requested_size(&req) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    png_response(placeholder_png(size, DEFAULT_COLOURS[index]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_reference() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn ring_is_rgba_and_transparent_in_the_middle() {
        let png = placeholder_ring_png(16, [1, 2, 3]);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(png[25], 6, "colour type RGBA");
        // The stored block's scanline 8, pixel 8 (the centre): alpha 0.
        let raw_start = 8 + 25 + 8 + 2 + 5; // signature, IHDR chunk, IDAT header, zlib, block
        let centre = raw_start + 8 * (16 * 4 + 1) + 1 + 8 * 4;
        assert_eq!(png[centre + 3], 0);
    }

    #[test]
    fn png_has_signature_and_end() {
        let png = placeholder_png(16, [1, 2, 3]);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png.ends_with(&[0xae, 0x42, 0x60, 0x82]));
    }
}
