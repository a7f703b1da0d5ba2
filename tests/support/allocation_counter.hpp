// Counts heap allocations made while a counter is armed, to prove that an audio path
// allocates nothing after prepare (the real-time contract). The test executable replaces
// the global operator new once (allocation_counter.cpp); every test shares it.
#pragma once

#include <cstddef>

namespace roomcal::test {

// Allocations on any thread while at least one AllocationCounter is alive.
class AllocationCounter {
public:
    AllocationCounter();
    ~AllocationCounter();
    AllocationCounter(const AllocationCounter&) = delete;
    AllocationCounter& operator=(const AllocationCounter&) = delete;
    // Allocations since this counter was armed.
    std::size_t count() const;

private:
    std::size_t start_;
};

}  // namespace roomcal::test
