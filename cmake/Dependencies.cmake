# System libraries from Debian's archive (scripts/setup.sh installs them). Each is
# wrapped in an imported target named roomcal::<name> so the folders link by name.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3 fftw3f)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(PORTAUDIO REQUIRED IMPORTED_TARGET portaudio-2.0)
pkg_check_modules(EBUR128 REQUIRED IMPORTED_TARGET libebur128)
pkg_check_modules(SAMPLERATE REQUIRED IMPORTED_TARGET samplerate)

find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)

add_library(roomcal::fftw INTERFACE IMPORTED)
target_link_libraries(roomcal::fftw INTERFACE PkgConfig::FFTW3)
add_library(roomcal::sndfile INTERFACE IMPORTED)
target_link_libraries(roomcal::sndfile INTERFACE PkgConfig::SNDFILE)
add_library(roomcal::portaudio INTERFACE IMPORTED)
target_link_libraries(roomcal::portaudio INTERFACE PkgConfig::PORTAUDIO)
add_library(roomcal::ebur128 INTERFACE IMPORTED)
target_link_libraries(roomcal::ebur128 INTERFACE PkgConfig::EBUR128)
add_library(roomcal::samplerate INTERFACE IMPORTED)
target_link_libraries(roomcal::samplerate INTERFACE PkgConfig::SAMPLERATE)

# The monitor (ui/): Dear ImGui 1.86 as Debian builds it (libimgui.a holds the GLFW and
# OpenGL3 backends; stb for the PNG screenshot), GLFW and OpenGL.
pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
pkg_check_modules(GLFW REQUIRED IMPORTED_TARGET glfw3)
find_package(OpenGL REQUIRED)
add_library(roomcal::imgui INTERFACE IMPORTED)
target_link_libraries(roomcal::imgui INTERFACE PkgConfig::IMGUI)
add_library(roomcal::glfw INTERFACE IMPORTED)
target_link_libraries(roomcal::glfw INTERFACE PkgConfig::GLFW OpenGL::GL ${CMAKE_DL_LIBS})
