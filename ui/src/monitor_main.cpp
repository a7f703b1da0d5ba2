// roomcal-monitor (also `roomcal monitor`): the App in a GLFW window with OpenGL 3, a
// readable font scaled for high-DPI screens, state in the user's config folder, and for
// tests and docs a PNG screenshot after N frames plus the frame build times (NewFrame to
// Render, CPU only).
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/ui/app.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string room, simulate, page, screenshot, frame_stats, config, device, mix, master;
    bool play = false;
    double fps = 60.0;
    int frames = 60;
    double seconds = 0.0;
    unsigned buffer = 0;             // 0: the saved size
    int width = 1400, height = 860;  // logical pixels; GLFW scales them on high-DPI screens
};

fs::path default_config_dir() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return fs::path(x) / "roomcal";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".config" / "roomcal";
    return {};
}

// Reads the back buffer (bottom-up rows) and writes it as a PNG, whole or not at all.
void write_screenshot(const fs::path& path, int w, int h) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    std::vector<unsigned char> flipped(pixels.size());
    const std::size_t row = static_cast<std::size_t>(w) * 4;
    for (int y = 0; y < h; ++y)
        std::copy_n(pixels.data() + static_cast<std::size_t>(h - 1 - y) * row, row,
                    flipped.data() + static_cast<std::size_t>(y) * row);
    for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
    const fs::path tmp = path.string() + ".tmp";
    stbi_write_png_compression_level = 9;
    if (!stbi_write_png(tmp.c_str(), w, h, 4, flipped.data(), static_cast<int>(row))) {
        std::error_code ignored;
        fs::remove(tmp, ignored);  // nothing half-written stays behind
        throw roomcal::Error("cannot write the screenshot " + path.string() +
                             "; check the folder exists and is writable");
    }
    fs::rename(tmp, path);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size() - 1));
    return v[i];
}

int run(const Options& o) {
    roomcal::ui::AppOptions ao;
    ao.room_dir = o.room;
    ao.simulate = o.simulate;
    if (!o.page.empty()) ao.page = roomcal::ui::parse_page(o.page);
    ao.config_dir = o.config.empty() ? default_config_dir() : fs::path(o.config);
    ao.frames_per_buffer = o.buffer;
    ao.device = o.device;
    ao.mix = o.mix;
    ao.master = o.master;

    // The window's size comes back as it was left (the pages' layout is in imgui.ini).
    int width = o.width, height = o.height;
    const fs::path window_file = ao.config_dir.empty() ? fs::path() : ao.config_dir / "window.json";
    if (!window_file.empty() && o.screenshot.empty()) {
        std::ifstream in(window_file);
        const auto j = nlohmann::json::parse(in, nullptr, false);
        if (j.is_object()) {
            width = std::clamp(j.value("width", width), 640, 8000);
            height = std::clamp(j.value("height", height), 400, 8000);
        }
    }

    glfwSetErrorCallback([](int, const char* what) { std::cerr << "roomcal monitor: GLFW: " << what << "\n"; });
    if (!glfwInit())
        throw roomcal::Error("cannot open a window: no display (set DISPLAY, or run under xvfb-run for screenshots)");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(width, height, "roomcal monitor", nullptr, nullptr);
    if (!window) {
        glfwTerminate();
        throw roomcal::Error("cannot create an OpenGL 3.3 window; check the display's OpenGL driver (Mesa)");
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(o.screenshot.empty() ? 1 : 0);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    const std::string ini = ao.config_dir.empty() ? std::string() : (ao.config_dir / "imgui.ini").string();
    io.IniFilename = ini.empty() ? nullptr : ini.c_str();
    float xscale = 1.0f, yscale = 1.0f;
    glfwGetWindowContentScale(window, &xscale, &yscale);
    const float scale = std::max(1.0f, xscale);
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0.0f;
    style.FrameRounding = 3.0f;
    style.ScaleAllSizes(scale);
    const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    // Latin-1 and the typography the pages use: – — … → − (and × ± in Latin-1).
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2013, 0x2014, 0x2026, 0x2026, 0x2190, 0x2193, 0x2212, 0x2212, 0};
    if (fs::exists(font))
        io.Fonts->AddFontFromFileTTF(font, 15.0f * scale, nullptr, ranges);
    else
        io.FontGlobalScale = scale;  // ImGui's own font; Debian's fonts-dejavu-core reads better
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    std::vector<double> build_ms;
    {
        roomcal::ui::App app(ao);
        if (o.play) app.play_pause();
        const auto start = Clock::now();
        int frames_after_idle = 0;
        bool shot = false;
        // Frames are paced (not only by vsync, which a virtual display lacks): a meter needs
        // no more than 60 a second, and every frame not drawn is CPU left for the audio.
        const auto frame_period =
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.fps));
        auto next_frame = Clock::now();
        while (!glfwWindowShouldClose(window)) {
            if (o.screenshot.empty()) {
                next_frame += frame_period;
                std::this_thread::sleep_until(next_frame);
                if (Clock::now() - next_frame > 4 * frame_period) next_frame = Clock::now();
            }
            glfwPollEvents();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            const auto t0 = Clock::now();
            ImGui::NewFrame();
            app.frame();
            ImGui::Render();
            build_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            int w = 0, h = 0;
            glfwGetFramebufferSize(window, &w, &h);
            glViewport(0, 0, w, h);
            glClearColor(0.08f, 0.08f, 0.1f, 1.0f);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            if (!o.screenshot.empty()) {
                // Screenshots show finished pages: wait for the background work, then N frames.
                if (!app.busy() || elapsed > 300.0) ++frames_after_idle;
                if (frames_after_idle >= o.frames) {
                    write_screenshot(o.screenshot, w, h);
                    std::cout << "wrote " << o.screenshot << " (" << w << "×" << h << ")\n";
                    shot = true;
                }
            }
            glfwSwapBuffers(window);
            if (shot || (o.seconds > 0.0 && elapsed >= o.seconds)) break;
        }
        app.save_state();
        if (!window_file.empty() && o.screenshot.empty()) {
            glfwGetWindowSize(window, &width, &height);
            try {
                roomcal::write_text_file_atomically(window_file,
                                                    nlohmann::json{{"width", width}, {"height", height}}.dump() + "\n");
            } catch (const std::exception&) {
                // The size is a convenience; app.save_state() reported an unwritable folder.
            }
        }
        if (!app.last_error().empty()) std::cerr << "roomcal monitor: " << app.last_error() << "\n";
        const auto late = app.audio_late_blocks();
        const auto xruns = app.audio_xruns();
        const auto callbacks = app.audio_callbacks();
        if (!o.frame_stats.empty() && !build_ms.empty()) {
            // The first frames build fonts and caches; they are not what a person feels.
            const std::vector<double> steady(build_ms.begin() + std::min<std::size_t>(build_ms.size() - 1, 30),
                                             build_ms.end());
            char text[512];
            std::snprintf(text, sizeof text,
                          "{\"frames\": %zu, \"median_ms\": %.4f, \"p99_ms\": %.4f, \"max_ms\": %.4f, "
                          "\"audio_callbacks\": %zu, \"audio_late_blocks\": %zu, \"audio_xruns\": %zu}\n",
                          steady.size(), percentile(steady, 0.5), percentile(steady, 0.99), percentile(steady, 1.0),
                          callbacks, late, xruns);
            roomcal::write_text_file_atomically(o.frame_stats, text);
            std::cout << "frame build (NewFrame→Render): " << text;
        }
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli("roomcal monitor: measure, correct, master and compare in one window", "roomcal monitor");
    Options o;
    cli.add_option("--room", o.room, "Room profile to open")->check(CLI::ExistingDirectory);
    cli.add_option("--simulate", o.simulate,
                   "Use a built-in virtual room as the audio device (untreated-bedroom, living-room, treated-studio)");
    cli.add_option("--device", o.device, "Audio device: number or (part of) name, see `roomcal devices`");
    cli.add_option("--mix", o.mix, "A mix to compare with --master and play A/B")->check(CLI::ExistingFile);
    cli.add_option("--master", o.master, "The mix's master")->check(CLI::ExistingFile);
    cli.add_option("--page", o.page, "Page to open: audio, measure, correct, monitor, compare, rooms");
    cli.add_option("--screenshot", o.screenshot, "Wait for the background work, render --frames, save a PNG, exit");
    cli.add_option("--frames", o.frames, "Frames to render before the screenshot")->check(CLI::Range(1, 100000));
    cli.add_option("--seconds", o.seconds, "Close after this long (timed runs)")->check(CLI::NonNegativeNumber);
    cli.add_flag("--play", o.play, "Start playing at once (the mix, with --simulate the demo mix)");
    cli.add_option("--frame-stats", o.frame_stats, "Write the frame build times (median, p99) as JSON here");
    cli.add_option("--fps", o.fps, "Frames per second at most")->check(CLI::Range(5.0, 240.0));
    cli.add_option("--config", o.config, "Folder for the monitor's state (default: ~/.config/roomcal)");
    cli.add_option("--buffer", o.buffer, "Audio frames per buffer")->check(CLI::Range(16u, 8192u));
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }
    try {
        return run(o);
    } catch (const roomcal::UsageError& e) {
        std::cerr << "roomcal monitor: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "roomcal monitor: " << e.what() << "\n";
        return 1;
    }
}
