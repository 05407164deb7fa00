//! Saving bytes the page made (PNG, GIF) as a file: a Blob, an object URL and a click on a
//! temporary `<a download>`. Browser-only glue; what is saved comes from [`crate::export`].

use std::time::Duration;

use wasm_bindgen::JsCast;

/// Offers `bytes` as a download named `name` with MIME type `mime`.
pub fn save(bytes: &[u8], mime: &str, name: &str) -> Result<(), String> {
    let fail = |what: &str| format!("cannot save {name}: {what}");
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let document = window.document().ok_or_else(|| fail("no document"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| fail("the browser refused to make a Blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("no object URL"))?;
    let anchor = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or_else(|| fail("cannot make a link"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has started by now; free the bytes a little later.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(10),
    );
    Ok(())
}
