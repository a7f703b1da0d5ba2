// The error type thrown at boundaries (files, devices, user input). Its message is
// written for the user: what was wrong, where, and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace roomcal {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad command-line usage or arguments the user typed: the CLI exits 2 for these.
class UsageError : public Error {
public:
    using Error::Error;
};

}  // namespace roomcal
