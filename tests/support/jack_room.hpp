// "The room" for tests of real audio I/O: a JACK client that convolves what the peer plays
// on its first output with a known impulse response (direct-form FIR) and sends it back to
// the peer's first input, and wires the second output straight back to the second input.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace roomcal::test {

class JackRoom {
public:
    // Joins the default JACK server and keeps itself wired, exclusively, to the ports of the
    // first client whose name starts with `peer` (PortAudio's client) whenever they exist,
    // undoing the peer's own connections to the hardware. Check ok() before use.
    explicit JackRoom(std::vector<float> impulse_response, std::string peer = "PortAudio");
    ~JackRoom();
    JackRoom(const JackRoom&) = delete;
    JackRoom& operator=(const JackRoom&) = delete;

    bool ok() const;
    const std::string& error() const;

    // [any thread] True while the peer's first two outputs feed only the room and its first
    // two inputs hear only the room.
    bool connected() const;
    // [any thread] Waits until connected(); false if that did not happen within `timeout`.
    bool wait_until_connected(std::chrono::milliseconds timeout) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace roomcal::test
