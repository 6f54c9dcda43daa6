# The imported targets, shared by the build tree (ffi-c/CMakeLists.txt) and the
# installed package (nowgg_paymentsConfig.cmake). Expects _nowgg_libdir,
# _nowgg_includedir and NOWGG_PAYMENTS_STATIC_DEPS; _nowgg_imported_scope may be GLOBAL.

if(NOT TARGET nowgg_payments::nowgg_payments)
  add_library(nowgg_payments::nowgg_payments SHARED IMPORTED ${_nowgg_imported_scope})
  set_target_properties(nowgg_payments::nowgg_payments PROPERTIES
    IMPORTED_LOCATION "${_nowgg_libdir}/libnowgg_payments.so"
    # Cargo's cdylib has no SONAME: link it as -lnowgg_payments so that executables
    # record libnowgg_payments.so, not the path it was built at. The release SDK's has
    # one (libnowgg_payments.so.MAJOR.MINOR), which the linker records instead.
    IMPORTED_NO_SONAME TRUE
    INTERFACE_INCLUDE_DIRECTORIES "${_nowgg_includedir}")

  add_library(nowgg_payments::nowgg_payments_static STATIC IMPORTED ${_nowgg_imported_scope})
  set_target_properties(nowgg_payments::nowgg_payments_static PROPERTIES
    IMPORTED_LOCATION "${_nowgg_libdir}/libnowgg_payments.a"
    INTERFACE_LINK_LIBRARIES "${NOWGG_PAYMENTS_STATIC_DEPS}"
    INTERFACE_INCLUDE_DIRECTORIES "${_nowgg_includedir}")
endif()
