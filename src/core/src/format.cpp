// Human-readable number formatting.
#include "roomcal/core/format.hpp"

#include <cstdio>

namespace roomcal {

std::string fmt(double value, int significant) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", significant, value);
    return buf;
}

}  // namespace roomcal
