# Compiler warnings and sanitizers applied to every roomcal target through one
# interface library, so a target opts in by linking roomcal_options.
add_library(roomcal_options INTERFACE)
target_compile_options(roomcal_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wnon-virtual-dtor -Wcast-align)
if(ROOMCAL_WERROR)
  target_compile_options(roomcal_options INTERFACE -Werror)
endif()
if(ROOMCAL_SANITIZE)
  # Sanitizer instrumentation makes GCC 12 report false -Wmaybe-uninitialized inside the
  # standard library (<regex>, <functional>); the plain build keeps the warning.
  target_compile_options(roomcal_options INTERFACE -fsanitize=address,undefined
                                                   -fno-omit-frame-pointer -fno-sanitize-recover=all
                                                   -Wno-maybe-uninitialized)
  target_link_options(roomcal_options INTERFACE -fsanitize=address,undefined)
endif()
