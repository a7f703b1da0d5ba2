// Write a file so that readers see either the old content or the complete new one,
// never a half-written file: write beside the target, then rename over it.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

namespace roomcal {

// Calls `write(temp_path)`; on success renames temp_path to `target`. If `write` throws,
// the temporary file is removed and the exception propagates; `target` is untouched.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(const std::filesystem::path& temp_path)>& write);

// Text convenience over write_file_atomically.
void write_text_file_atomically(const std::filesystem::path& target, std::string_view text);

// The user's cache directory for roomcal ($XDG_CACHE_HOME/roomcal or ~/.cache/roomcal).
std::filesystem::path user_cache_dir();

}  // namespace roomcal
