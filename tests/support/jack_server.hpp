// A private JACK server with the dummy driver for tests of real PortAudio I/O: started
// under a unique name, made the default for this process, stopped on destruction.
#pragma once

#include <sys/types.h>
#include <string>

namespace roomcal::test {

class JackServer {
public:
    // Starts `jackd -d dummy` and waits until clients can connect. Check ok() before use.
    JackServer(int sample_rate = 48000, int period = 128, int channels = 2);
    ~JackServer();
    JackServer(const JackServer&) = delete;
    JackServer& operator=(const JackServer&) = delete;

    // Terminates the server now, as a device that disappears would; waits until it is gone.
    void stop();

    bool ok() const { return ok_; }
    const std::string& name() const { return name_; }
    const std::string& error() const { return error_; }

private:
    std::string name_;
    std::string error_;
    pid_t pid_ = -1;
    bool ok_ = false;
};

}  // namespace roomcal::test
