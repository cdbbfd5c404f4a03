//! UniFFI's generator (library mode): Swift, Kotlin and Python sources for `libcxf_ffi`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
