//! Fetching files on the page's main thread, and reading the files the user chose (the worker only
//! ever receives bytes).

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

fn describe(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

async fn response(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window to fetch from")?;
    let value = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("cannot fetch {url}: {}", describe(&e)))?;
    let response: Response = value.dyn_into().map_err(|_| format!("fetching {url} gave no response"))?;
    if !response.ok() {
        return Err(format!("cannot fetch {url}: HTTP {}", response.status()));
    }
    Ok(response)
}

/// The bytes at `url`.
pub async fn bytes(url: &str) -> Result<Vec<u8>, String> {
    let response = response(url).await?;
    let promise = response.array_buffer().map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
    let buffer = JsFuture::from(promise).await.map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The bytes at `url`, read as they arrive: `progress(received, total)` is called before the first
/// chunk and after each one; `total` is the server's `Content-Length` when it gives one that the body
/// does not overrun (a compressed transfer's length would be wrong, so it is then dropped).
pub async fn bytes_with_progress(url: &str, progress: impl Fn(u64, Option<u64>)) -> Result<Vec<u8>, String> {
    let response = response(url).await?;
    let total = response.headers().get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok());
    let Some(body) = response.body() else {
        // A response without a body stream (an empty file): nothing arrives in parts.
        let promise = response.array_buffer().map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
        let buffer = JsFuture::from(promise).await.map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
        return Ok(Uint8Array::new(&buffer).to_vec());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.map_or(0, |t| t.min(MAX_PREALLOCATION) as usize));
    progress(0, total);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool());
        if done != Some(false) {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
        let part: Uint8Array = value.dyn_into().map_err(|_| format!("cannot read {url}: a part is not bytes"))?;
        let start = bytes.len();
        bytes.resize(start + part.length() as usize, 0);
        part.copy_to(&mut bytes[start..]);
        let received = bytes.len() as u64;
        progress(received, total.filter(|&t| t >= received));
    }
    Ok(bytes)
}

/// The most a download reserves up front from its announced length (the rest grows as it arrives).
const MAX_PREALLOCATION: u64 = 64 << 20;

/// The text at `url`.
pub async fn text(url: &str) -> Result<String, String> {
    let response = response(url).await?;
    let promise = response.text().map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
    let value = JsFuture::from(promise).await.map_err(|e| format!("cannot read {url}: {}", describe(&e)))?;
    value.as_string().ok_or_else(|| format!("{url} is not text"))
}

/// The bytes of a file the user chose.
pub async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let name = file.name();
    let buffer =
        JsFuture::from(file.array_buffer()).await.map_err(|e| format!("cannot read \"{name}\": {}", describe(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
