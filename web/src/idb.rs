//! The user's own model, kept in the browser's IndexedDB (one model: the last one that loaded), so a
//! reload brings it back. The page works without it: every failure here is an `Err` the caller
//! turns into a console warning.

use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use crate::own_model::ChosenFile;

const DB_NAME: &str = "trm-playground";
const DB_VERSION: u32 = 1;
const STORE: &str = "models";
/// The one key: the files of the last own model that loaded.
const KEY: &str = "own";

fn describe(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        return e.message();
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// A promise settled by a request's `success` (with its result) or `error`.
fn settled(request: &IdbRequest) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        let done = request.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let err = Closure::once_into_js(move |_: web_sys::Event| {
            let why = match failed.error() {
                Ok(Some(e)) => e.message(),
                _ => "the request failed".to_string(),
            };
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(err.unchecked_ref()));
    })
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(|e| describe(&e))?
        .ok_or("this browser offers no IndexedDB here")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, DB_VERSION).map_err(|e| describe(&e))?;
    let upgrading = request.clone();
    let upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(result) = upgrading.result()
            && let Ok(db) = result.dyn_into::<IdbDatabase>()
            && !db.object_store_names().contains(STORE)
        {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = JsFuture::from(settled(&request)).await.map_err(|e| describe(&e))?;
    db.dyn_into::<IdbDatabase>().map_err(|_| "IndexedDB opened no database".to_string())
}

/// Keeps `files` as the own model (replacing the one kept before).
pub async fn save_own(files: &[ChosenFile]) -> Result<(), String> {
    let value = serde_wasm_bindgen::to_value(files).map_err(|e| e.to_string())?;
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite).map_err(|e| describe(&e))?;
        let store = tx.object_store(STORE).map_err(|e| describe(&e))?;
        let request = store.put_with_key(&value, &JsValue::from_str(KEY)).map_err(|e| describe(&e))?;
        JsFuture::from(settled(&request)).await.map(|_| ()).map_err(|e| describe(&e))
    }
    .await;
    db.close();
    result
}

/// The files of the own model kept, if any.
pub async fn load_own() -> Result<Option<Vec<ChosenFile>>, String> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly).map_err(|e| describe(&e))?;
        let store = tx.object_store(STORE).map_err(|e| describe(&e))?;
        let request = store.get(&JsValue::from_str(KEY)).map_err(|e| describe(&e))?;
        let value = JsFuture::from(settled(&request)).await.map_err(|e| describe(&e))?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        serde_wasm_bindgen::from_value(value).map(Some).map_err(|e| format!("the stored model is unreadable: {e}"))
    }
    .await;
    db.close();
    result
}
