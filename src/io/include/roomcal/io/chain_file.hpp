// chain.json: the mastering chain as the monitor saves it and `roomcal render --chain`
// reads it. Every key is known or refused, so a typo never silently means "default".
//
//   {
//     "roomcal_chain": 1,
//     "eq": [ {"type": "PK", "frequency_hz": 60, "q": 1.0, "gain_db": -1.5, "enabled": true},
//             {"type": "HS", "frequency_hz": 8000, "q": 0.7, "gain_db": 1.0} ],
//     "makeup_db": 0.0,
//     "limiter": {"enabled": true, "ceiling_dbtp": -1.0, "release_ms": 100, "input_gain_db": 0.0}
//   }
//
// Types are PK (bell), LS/HS (shelves, Q as in the RBJ cookbook), LP/HP (Q of the
// resonance). Missing keys take the defaults of MasteringChain; ranges as its validate().
#pragma once

#include <filesystem>
#include <string>

#include "roomcal/core/mastering_chain.hpp"

namespace roomcal::io {

// Throws roomcal::Error naming the file, the key and what is wrong (unknown key, wrong
// type, out of range, not JSON).
MasteringChain read_chain(const std::filesystem::path& path);
MasteringChain parse_chain(const std::string& json_text, const std::string& source);
std::string chain_json(const MasteringChain& chain);
// Written atomically.
void write_chain(const MasteringChain& chain, const std::filesystem::path& path);

}  // namespace roomcal::io
