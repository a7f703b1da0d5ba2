// A private JACK server with the dummy driver for tests of real PortAudio I/O: started
// under a unique name, made the default for this process, stopped on destruction; its
// output is kept in a log the tests can read.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace roomcal::test {

class JackServer {
public:
    // Starts `jackd -d dummy` and waits until clients can connect. Check ok() before use.
    // `realtime` runs it with -R: its threads and its clients' process threads SCHED_FIFO
    // where the system allows (jackd runs without where it does not), so other load on the
    // machine delays its cycles less.
    JackServer(int sample_rate = 48000, int period = 128, int channels = 2, bool realtime = false);
    ~JackServer();
    JackServer(const JackServer&) = delete;
    JackServer& operator=(const JackServer&) = delete;

    // Terminates the server now, as a device that disappears would; waits until it is gone.
    void stop();
    // Kills the server at once (SIGKILL), as a crash would; waits until it is gone.
    void kill();
    // Freezes the server (SIGSTOP) and lets it go on (SIGCONT): a device that stalls.
    void pause();
    void resume();

    // What jackd has printed so far (complete once it has stopped), and how often a text
    // occurs in it: "JackTimedDriver::Process XRun" is the dummy driver's own timer waking
    // late (the machine, whatever the clients do), "was not finished" a client late for its
    // cycle.
    std::string log() const;
    std::size_t count_in_log(const std::string& line_part) const;

    bool ok() const { return ok_; }
    const std::string& name() const { return name_; }
    const std::string& error() const { return error_; }

private:
    std::string name_;
    std::string error_;
    std::string log_path_;
    pid_t pid_ = -1;
    bool ok_ = false;
};

}  // namespace roomcal::test
