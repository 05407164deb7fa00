//! Fetching files on the page's main thread, and reading the files the user chose (the worker only
//! ever receives bytes).

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

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
