//! Entry point of the page (trunk `data-bin="trm-web"`).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(trm_web::app::App);
    // The page runs: the loading note from index.html goes (a capability message stays).
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
}
