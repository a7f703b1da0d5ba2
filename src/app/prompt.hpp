// Asking the person at the terminal: whether one is there, and a yes/no question.
#pragma once

#include <unistd.h>

#include <iostream>
#include <string>

namespace roomcal::app {

inline bool interactive() { return ::isatty(STDIN_FILENO) != 0; }

// Prints `question` with " [y/N] " and reads one line; only y/Y/yes is a yes.
inline bool confirm(const std::string& question) {
    std::cout << question << " [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace roomcal::app
