// Test JACK server lifecycle, and what it logs.
#include "support/jack_server.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace roomcal::test {

JackServer::JackServer(int sample_rate, int period, int channels, bool realtime) {
    name_ = "roomcal-test-" + std::to_string(::getpid());
    const std::string rate = std::to_string(sample_rate);
    const std::string per = std::to_string(period);
    const std::string ch = std::to_string(channels);
    log_path_ = (std::filesystem::temp_directory_path() / (name_ + ".log")).string();
    pid_ = ::fork();
    if (pid_ == 0) {
        const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        ::setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
        ::execlp("jackd", "jackd", realtime ? "-R" : "--no-realtime", "-n", name_.c_str(), "-d", "dummy", "-r",
                 rate.c_str(), "-p", per.c_str(), "-C", ch.c_str(), "-P", ch.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (pid_ < 0) {
        error_ = "fork failed";
        return;
    }
    ::setenv("JACK_DEFAULT_SERVER", name_.c_str(), 1);
    ::setenv("JACK_NO_START_SERVER", "1", 1);
    const std::string probe = "jack_lsp -s " + name_ + " >/dev/null 2>&1";
    for (int i = 0; i < 100; ++i) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            // Killed servers can leave their entries in JACK's registry in /dev/shm; once
            // it is full no server starts until the stale entries go.
            error_ = log().find("Too many servers already active") != std::string::npos
                         ? "jackd refused to start: \"Too many servers already active\" (stale JACK servers in "
                           "/dev/shm; remove /dev/shm/jack* while no jackd runs)"
                         : "jackd exited at start (is the jackd2 package installed?): " + log();
            pid_ = -1;
            return;
        }
        if (std::system(probe.c_str()) == 0) {
            ok_ = true;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    error_ = "jackd did not come up within 5 s";
}

JackServer::~JackServer() {
    stop();
    ::unsetenv("JACK_DEFAULT_SERVER");
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
}

std::string JackServer::log() const {
    std::ifstream in(log_path_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t JackServer::count_in_log(const std::string& line_part) const {
    const std::string text = log();
    std::size_t n = 0;
    for (std::size_t at = text.find(line_part); at != std::string::npos; at = text.find(line_part, at + 1)) ++n;
    return n;
}

void JackServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::kill(pid_, SIGCONT);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    ok_ = false;
}

void JackServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    ok_ = false;
}

void JackServer::pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void JackServer::resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
}

}  // namespace roomcal::test
