// The test room as a JACK client: an FIR in the process callback (all state preallocated),
// and a wiring thread that keeps the room, and only the room, between the peer's ports.
#include "support/jack_room.hpp"

#include <jack/jack.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace roomcal::test {
namespace {

std::vector<std::string> take_names(const char** names) {
    std::vector<std::string> out;
    for (std::size_t i = 0; names && names[i]; ++i) out.emplace_back(names[i]);
    if (names) jack_free(static_cast<void*>(names));
    return out;
}

// Ports named like "PortAudio:out_0" ... "out_11" sort by their number, not as text.
unsigned long trailing_number(const std::string& port) {
    const std::size_t digits = port.find_last_not_of("0123456789") + 1;
    return std::strtoul(port.c_str() + digits, nullptr, 10);
}

}  // namespace

struct JackRoom::State {
    jack_client_t* client = nullptr;
    jack_port_t* in[2] = {};
    jack_port_t* out[2] = {};
    std::vector<float> ir;
    std::vector<float> history;  // circular, a power of two at least as long as the IR
    std::size_t mask = 0;
    std::size_t write = 0;
    std::string peer_pattern;
    std::string error;
    std::atomic<bool> connected{false};
    std::atomic<bool> running{true};
    std::thread wiring;

    // [audio thread]
    static int process(jack_nframes_t frames, void* arg) noexcept {
        auto& s = *static_cast<State*>(arg);
        const auto* x = static_cast<const float*>(jack_port_get_buffer(s.in[0], frames));
        auto* y = static_cast<float*>(jack_port_get_buffer(s.out[0], frames));
        for (jack_nframes_t i = 0; i < frames; ++i) {
            s.history[s.write] = x[i];
            float acc = 0.0f;
            for (std::size_t k = 0; k < s.ir.size(); ++k) acc += s.ir[k] * s.history[(s.write - k) & s.mask];
            y[i] = acc;
            s.write = (s.write + 1) & s.mask;
        }
        const auto* wire_in = static_cast<const float*>(jack_port_get_buffer(s.in[1], frames));
        auto* wire_out = static_cast<float*>(jack_port_get_buffer(s.out[1], frames));
        std::copy_n(wire_in, frames, wire_out);
        return 0;
    }

    // [wiring thread]
    std::vector<std::string> peer_ports(unsigned long flags) const {
        std::vector<std::string> ports =
            take_names(jack_get_ports(client, peer_pattern.c_str(), JACK_DEFAULT_AUDIO_TYPE, flags));
        std::sort(ports.begin(), ports.end(),
                  [](const std::string& a, const std::string& b) { return trailing_number(a) < trailing_number(b); });
        return ports;
    }

    // [wiring thread] Connects source to destination and cuts every other connection of
    // either; true when that holds.
    bool exclusive(const std::string& source, const std::string& destination) const {
        jack_port_t* src = jack_port_by_name(client, source.c_str());
        jack_port_t* dst = jack_port_by_name(client, destination.c_str());
        if (!src || !dst) return false;
        for (const std::string& other : take_names(jack_port_get_all_connections(client, src)))
            if (other != destination) jack_disconnect(client, source.c_str(), other.c_str());
        for (const std::string& other : take_names(jack_port_get_all_connections(client, dst)))
            if (other != source) jack_disconnect(client, other.c_str(), destination.c_str());
        if (!jack_port_connected_to(src, destination.c_str()))
            jack_connect(client, source.c_str(), destination.c_str());
        return jack_port_connected(src) == 1 && jack_port_connected(dst) == 1 &&
               jack_port_connected_to(src, destination.c_str());
    }

    // [wiring thread]
    void wire() {
        const std::vector<std::string> outs = peer_ports(JackPortIsOutput);
        const std::vector<std::string> ins = peer_ports(JackPortIsInput);
        bool ok = outs.size() >= 2 && ins.size() >= 2;
        for (std::size_t i = 0; i < 2 && i < outs.size(); ++i) ok = exclusive(outs[i], jack_port_name(in[i])) && ok;
        for (std::size_t i = 0; i < 2 && i < ins.size(); ++i) ok = exclusive(jack_port_name(out[i]), ins[i]) && ok;
        connected.store(ok, std::memory_order_release);
    }
};

JackRoom::JackRoom(std::vector<float> impulse_response, std::string peer) : state_(std::make_unique<State>()) {
    State& s = *state_;
    if (impulse_response.empty()) {
        s.error = "the room needs an impulse response of at least one tap";
        return;
    }
    s.ir = std::move(impulse_response);
    std::size_t length = 1;
    while (length < s.ir.size()) length *= 2;
    s.history.assign(length, 0.0f);
    s.mask = length - 1;
    s.peer_pattern = "^";
    for (const char c : peer) {
        if (std::strchr("\\^$.|?*+()[]{}", c)) s.peer_pattern += '\\';
        s.peer_pattern += c;
    }
    s.peer_pattern += "[^:]*:";

    jack_status_t status{};
    s.client = jack_client_open("roomcal-room", JackNoStartServer, &status);
    if (!s.client) {
        s.error = "cannot join the JACK server (status " + std::to_string(status) + ")";
        return;
    }
    const char* names[2][2] = {{"in_1", "in_2"}, {"out_1", "out_2"}};
    for (int i = 0; i < 2; ++i) {
        s.in[i] = jack_port_register(s.client, names[0][i], JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        s.out[i] = jack_port_register(s.client, names[1][i], JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        if (!s.in[i] || !s.out[i]) s.error = "cannot register the room's JACK ports";
    }
    if (s.error.empty() && jack_set_process_callback(s.client, &State::process, &s) != 0)
        s.error = "cannot set the room's process callback";
    if (s.error.empty() && jack_activate(s.client) != 0) s.error = "cannot activate the room's JACK client";
    if (!s.error.empty()) return;
    s.wiring = std::thread([&s] {
        while (s.running.load(std::memory_order_acquire)) {
            s.wire();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
}

JackRoom::~JackRoom() {
    state_->running.store(false, std::memory_order_release);
    if (state_->wiring.joinable()) state_->wiring.join();
    if (state_->client) {
        jack_deactivate(state_->client);
        jack_client_close(state_->client);
    }
}

bool JackRoom::ok() const { return state_->error.empty(); }

const std::string& JackRoom::error() const { return state_->error; }

bool JackRoom::connected() const { return state_->connected.load(std::memory_order_acquire); }

bool JackRoom::wait_until_connected(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!connected()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace roomcal::test
