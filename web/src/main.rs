//! Entry point of the page (trunk `data-bin="trm-web"`).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(trm_web::app::App);
}
