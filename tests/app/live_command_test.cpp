// `roomcal live` run as a user would, on a private JACK server: pass-through with a room's
// correction for the server's rate, a room without one, files with A/B, SIGTERM, and the
// exit when the server vanishes; and the usage errors, which need no device.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "support/jack_server.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using Catch::Matchers::Contains;
using test::run_cli;
namespace fs = std::filesystem;

namespace {

// A room named "den" whose correction (-6 dB and a short FIR) exists at `rate` only.
void write_room(const fs::path& dir, double rate) {
    Room room;
    room.name = "den";
    FilterSet set;
    set.sample_rate = Hz(rate);
    set.description = "den: -6 dB";
    for (const char* n : {"L", "R"}) {
        ChannelFilter f;
        f.channel = n;
        f.gain_db = -6.0;
        f.fir = {1.0, 0.1, 0.01};
        set.channels.push_back(f);
    }
    room.corrections.push_back(set);
    io::save_room(room, dir);
}

void write_tone(const fs::path& p, double seconds, double amplitude) {
    AudioBuffer<float> a(2, static_cast<std::size_t>(48000.0 * seconds));
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < a.num_frames(); ++i)
            a(c, i) = static_cast<float>(amplitude * std::sin(2.0 * M_PI * 440.0 * i / 48000.0));
    io::write_audio(p, a.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// `roomcal ARGS` started in the background, everything it prints going to `log`.
pid_t start_cli(const std::string& args, const fs::path& log) {
    const std::string cmd = "exec " + std::string(ROOMCAL_CLI_PATH) + " " + args + " >" + log.string() + " 2>&1";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

// True once `log` holds `text`, false if it did not within `timeout`.
bool wait_for_text(const fs::path& log, const std::string& text, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (read_file(log).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// The exit code, or -1 if the process did not end within `timeout` (it is killed then).
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

}  // namespace

TEST_CASE("live refuses unclear requests before touching a device", "[app][cli][live]") {
    auto r = run_cli("live --seconds 1");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Contains("exactly one of --room DIR, --fir FILTER.wav or --no-correction"));
    test::TempDir dir;
    write_tone(dir / "b.wav", 0.1, 0.1);
    r = run_cli("live --no-correction --play-b " + (dir / "b.wav").string());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Contains("--play-b needs --play A.wav"));
    r = run_cli("live --no-correction --buffer 4");
    CHECK(r.exit_code == 2);
    CHECK_THAT(run_cli("help live").out, Contains("--ab-every"));
}

TEST_CASE("live runs a room's correction for the device's rate and the chain, then stops on time",
          "[app][cli][live][jack]") {
    test::JackServer jack(48000, 256, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    test::TempDir dir;
    write_room(dir / "den", 48000.0);
    io::write_chain(MasteringChain{}, dir / "chain.json");

    const auto r = run_cli("live --room " + (dir / "den").string() + " --chain " + (dir / "chain.json").string() +
                           " --device system --buffer 256 --seconds 2 --stats-every 1");
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("passing the input through on audio device 'system'") && Contains("2 ch, 48000 Hz") &&
                          Contains("256 frames") && Contains("den: -6 dB + mastering chain"));
    CHECK_THAT(r.out, Contains("live: stopped after 2 s") && Contains("late, max callback"));
}

TEST_CASE("live refuses a rate the room has no correction for, or the device cannot run at", "[app][cli][live][jack]") {
    test::JackServer jack(48000, 256, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    test::TempDir dir;
    write_room(dir / "den", 44100.0);
    auto r = run_cli("live --room " + (dir / "den").string() + " --device system --seconds 1");
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Contains("has no correction for 48000 Hz (it has 44100 Hz)") && Contains("--rate 48000"));
    // Asking the device for the room's rate: JACK runs at its server's rate only.
    r = run_cli("live --room " + (dir / "den").string() + " --device system --rate 44100 --seconds 1");
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Contains("audio device 'system' cannot run at 44100 Hz (its default rate is 48000 Hz)"));
}

TEST_CASE("live plays two files and switches between them", "[app][cli][live][jack]") {
    test::JackServer jack(48000, 256, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    test::TempDir dir;
    write_tone(dir / "mix.wav", 1.5, 0.1);
    write_tone(dir / "master.wav", 1.5, 0.2);
    const auto r = run_cli("live --no-correction --device system --buffer 256 --play " + (dir / "mix.wav").string() +
                           " --play-b " + (dir / "master.wav").string() + " --ab-every 0.5 --seconds 10");
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("playing ") && Contains("now playing B") && Contains("now playing A") &&
                          Contains("live: stopped at the end of the file"));
}

TEST_CASE("live stops cleanly on SIGTERM", "[app][cli][live][jack]") {
    test::JackServer jack(48000, 256, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    test::TempDir dir;
    const pid_t pid = start_cli("live --no-correction --device system --buffer 256", dir / "log");
    REQUIRE(pid > 0);
    const bool started = wait_for_text(dir / "log", "stop with Ctrl-C", std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(pid, SIGTERM);
    const int code = wait_for_exit(pid, std::chrono::seconds(10));
    const std::string out = read_file(dir / "log");
    INFO(out);
    CHECK(started);
    CHECK(code == 0);
    CHECK_THAT(out, Contains("live: stopped by a signal"));
}

TEST_CASE("live exits 1 with a clear message when its JACK server vanishes", "[app][cli][live][jack]") {
    test::JackServer jack(48000, 128, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    test::TempDir dir;
    const pid_t pid = start_cli("live --no-correction --device system --seconds 60", dir / "log");
    REQUIRE(pid > 0);
    const bool started = wait_for_text(dir / "log", "stop with Ctrl-C", std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const auto killed = std::chrono::steady_clock::now();
    jack.stop();
    const int code = wait_for_exit(pid, std::chrono::seconds(10));
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
    const std::string out = read_file(dir / "log");
    INFO(out);
    CHECK(started);
    CHECK(code == 1);
    CHECK(took < 5.0);
    CHECK_THAT(out, Contains("live: device lost") && Contains("roomcal: error: audio device 'system' was lost") &&
                        Contains("the output is silent"));
}
