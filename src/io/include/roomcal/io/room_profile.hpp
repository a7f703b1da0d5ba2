// Room profiles on disk: a folder holding room.json (schema-versioned, readable) and
// WAV files for impulse responses (ir/) and FIR filters (fir/). room.json is the commit
// point: new WAVs are written first under content-derived names, then room.json
// atomically, then files no longer referenced are removed, so a crash at any moment
// leaves a complete profile.
#pragma once

#include <filesystem>

#include "roomcal/core/room.hpp"

namespace roomcal::io {

inline constexpr int room_schema_version = 1;

// Throws roomcal::Error naming the file, the JSON path and what is wrong.
Room load_room(const std::filesystem::path& dir);

// Creates the folder if needed. Validates the room first; nothing is written if invalid.
void save_room(const Room& room, const std::filesystem::path& dir);

// The room in `dir`, or a new empty one named after the folder when there is none yet.
Room load_or_create_room(const std::filesystem::path& dir);

// True if `dir` holds a room.json.
bool room_exists(const std::filesystem::path& dir);

}  // namespace roomcal::io
