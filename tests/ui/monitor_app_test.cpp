// The monitor driven as a person would, headless: ImGui frames with mouse clicks on the
// App's own controls and key presses through ImGui's input state, on a virtual room; the
// App's state is checked after each step. Also: closing mid-measurement or mid-fit
// leaves the room profile as it was.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include "roomcal/io/room_profile.hpp"
#include "roomcal/ui/app.hpp"
#include "support/imgui_headless.hpp"
#include "support/jack_room.hpp"
#include "support/jack_server.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::ui;

namespace {

// Frames of the App with the input a person would give.
class Headless {
public:
    Headless() {
        ImGui::GetIO().KeyMap[ImGuiKey_Space] = ' ';  // as the GLFW backend maps it (GLFW_KEY_SPACE)
    }

    void frame(App& app) {
        ImGui::NewFrame();
        app.frame();
        ImGui::Render();
    }
    // Moves the mouse onto the control, presses and releases it, a frame each.
    void click(App& app, const std::string& label) {
        frame(app);  // two frames: a tab bar lays its tabs out at the end of its first
        frame(app);
        const auto r = app.control_rect(label);
        INFO("control " << label);
        REQUIRE(r.has_value());
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = r->centre();
        frame(app);
        io.MouseDown[0] = true;
        frame(app);
        io.MouseDown[0] = false;
        frame(app);
    }
    void key(App& app, int code) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[code] = true;
        frame(app);
        io.KeysDown[code] = false;
        frame(app);
    }
    // Frames (about 100 a second) until `done` or `seconds` pass; true if done.
    bool frames_until(App& app, const std::function<bool()>& done, double seconds) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < until) {
            frame(app);
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

private:
    test::ImGuiHeadless imgui_{ImVec2(1400.0f, 860.0f)};
};

AppOptions simulated(const test::TempDir& dir, int positions) {
    AppOptions o;
    o.simulate = "treated-studio";
    o.config_dir = dir.path();
    o.positions = positions;
    o.prepare_simulation = false;
    return o;
}

}  // namespace

TEST_CASE("the monitor measures, fits, bypasses and A/B-switches a virtual room from its controls", "[ui][monitor]") {
    test::TempDir dir;
    Headless ui;
    App app(simulated(dir, 1));

    ui.click(app, "tab:measure");
    CHECK(app.page() == Page::measure);

    ui.click(app, "Check level");
    REQUIRE(ui.frames_until(
        app, [&] { return !app.busy(); }, 60.0));
    CHECK(app.last_error().empty());

    ui.click(app, "Start measuring");
    CHECK(app.measure_step() == MeasureStep::running);
    REQUIRE(ui.frames_until(
        app, [&] { return app.measure_step() == MeasureStep::results; }, 120.0));
    REQUIRE(app.takes().size() == 2);  // L and R at one position
    for (const auto& t : app.takes()) CHECK(t.take.analysis.warnings.empty());
    REQUIRE(app.rooms().size() == 1);
    // The profile on disk is the one measured, whole.
    const Room saved = io::load_room(dir.path() / "rooms" / "treated-studio");
    CHECK(saved.channels.size() == 2);
    CHECK(saved.corrections.empty());

    ui.click(app, "tab:correct");
    CHECK(app.page() == Page::correct);
    ui.click(app, "Fit");
    REQUIRE(ui.frames_until(
        app, [&] { return app.fit().has_value() && !app.busy(); }, 120.0));
    REQUIRE(app.fit()->channels.size() == 2);
    for (const auto& ch : app.fit()->channels) {
        CAPTURE(ch.channel, ch.prediction.sd_before_db, ch.prediction.sd_after_db);
        CHECK(ch.prediction.sd_after_db < ch.prediction.sd_before_db);
        CHECK(!ch.parametric.empty());  // the page's default mode is parametric
    }
    CHECK(io::load_room(dir.path() / "rooms" / "treated-studio").corrections.size() == 2);  // 44.1 and 48 kHz

    ui.click(app, "tab:monitor");
    CHECK(app.page() == Page::monitor);
    CHECK(app.correction_enabled());
    ui.key(app, 'B');
    CHECK_FALSE(app.correction_enabled());
    ui.click(app, "correction on (B)");
    CHECK(app.correction_enabled());

    CHECK_FALSE(app.ab_is_b());
    ui.key(app, 'A');
    CHECK(app.ab_is_b());
    ui.click(app, "B: master (A)");
    CHECK_FALSE(app.ab_is_b());

    ui.key(app, ' ');
    CHECK(app.playing());
    // The demo mix runs through the engine: the meters see it.
    REQUIRE(ui.frames_until(
        app, [&] { return std::isfinite(app.meter_readings().momentary_lufs); }, 10.0));
    CHECK(app.meter_readings().momentary_lufs > -40.0);

    ui.click(app, "bypass (level-matched)");
    CHECK(app.chain_bypassed());
}

TEST_CASE("closing the monitor mid-measurement or mid-fit leaves the room profile as it was", "[ui][monitor]") {
    test::TempDir dir;
    const auto room_dir = dir.path() / "rooms" / "treated-studio";
    Headless ui;
    {
        App app(simulated(dir, 1));
        app.start_measurement();
        REQUIRE(ui.frames_until(
            app, [&] { return app.measure_step() == MeasureStep::results; }, 120.0));
    }
    const Room before = io::load_room(room_dir);
    REQUIRE(before.channels.size() == 2);
    REQUIRE(before.corrections.empty());
    {
        App app(simulated(dir, 3));
        app.start_measurement();
        // Well into the sweeps, then the window closes.
        REQUIRE(ui.frames_until(
            app, [&] { return app.measure_step() == MeasureStep::running && app.busy(); }, 10.0));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    {
        App app(simulated(dir, 1));
        app.start_fit();
        CHECK(app.busy());
    }  // closed mid-fit
    const Room after = io::load_room(room_dir);
    CHECK(after.channels.size() == before.channels.size());
    for (std::size_t c = 0; c < after.channels.size(); ++c)
        CHECK(after.channels[c].measurements.size() == before.channels[c].measurements.size());
    CHECK(after.corrections.empty());
    // Nothing half-written is left beside it.
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "rooms"))
        CHECK(e.path().filename().string().find(".new-") == std::string::npos);
}

TEST_CASE("the monitor's wizard measures through real PortAudio on JACK", "[ui][monitor][jack][slow]") {
    // A JACK client is the room: direct sound at tap 40, a reflection at 95; output 2 is
    // wired back to input 2 as the loopback.
    test::JackServer jack(48000, 1024, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    std::vector<float> taps(512, 0.0f);
    taps[40] = 0.7f;
    taps[95] = -0.25f;
    test::JackRoom room(taps);
    INFO(room.error());
    REQUIRE(room.ok());

    test::TempDir dir;
    AppOptions o;
    o.device = "system";
    o.config_dir = dir.path();
    o.positions = 1;
    o.audio = false;
    Headless ui;
    App app(o);
    app.set_measure_inputs(1, std::make_pair(2, 2));
    ui.click(app, "tab:measure");
    ui.click(app, "channel R");  // one loudspeaker: L on output 1
    ui.click(app, "Start measuring");
    REQUIRE(ui.frames_until(
        app, [&] { return app.measure_step() != MeasureStep::running; }, 120.0));
    INFO(app.last_error());
    REQUIRE(app.measure_step() == MeasureStep::results);
    const Room saved = io::load_room(dir.path() / "rooms" / "my-room");
    REQUIRE(saved.channels.size() == 1);
    const auto& m = saved.find_channel("L")->measurements.at(0);
    CHECK(m.timing == "loopback");
    CHECK(m.delay_samples == Approx(40.0).margin(0.5));
}
