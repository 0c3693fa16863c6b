//! C-ABI functions with no crate dependencies: enough to prove that setuptools-rust's
//! cargo build got the target, the linker and the wheel tag of a cross build.

use std::os::raw::{c_char, c_long};

/// Add two integers.
#[no_mangle]
pub extern "C" fn add(a: c_long, b: c_long) -> c_long {
    a + b
}

/// The architecture this library was compiled for (`target_arch` at build time).
#[no_mangle]
pub extern "C" fn target_arch() -> *const c_char {
    #[cfg(target_arch = "aarch64")]
    let arch = c"aarch64";
    #[cfg(target_arch = "x86_64")]
    let arch = c"x86_64";
    #[cfg(not(any(target_arch = "aarch64", target_arch = "x86_64")))]
    let arch = c"other";
    arch.as_ptr()
}
