// Temp-file-and-rename writes and the user's cache directory.
#include "roomcal/core/atomic_file.hpp"

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

#include "roomcal/core/error.hpp"

namespace roomcal {
namespace fs = std::filesystem;

void write_file_atomically(const fs::path& target, const std::function<void(const fs::path&)>& write) {
    static std::atomic<unsigned> counter{0};
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("cannot write " + target.string() + ": folder " + dir.string() +
                    " does not exist; create it or choose another path");
    const fs::path temp = dir / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(counter.fetch_add(1)));
    try {
        write(temp);
    } catch (...) {
        fs::remove(temp, ec);
        throw;
    }
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw Error("cannot write " + target.string() + ": " + ec.message());
    }
}

void write_text_file_atomically(const fs::path& target, std::string_view text) {
    write_file_atomically(target, [&](const fs::path& temp) {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot create " + temp.string() + ": check the folder's permissions and free space");
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) throw Error("cannot write " + target.string() + ": disk full or write error");
    });
}

fs::path user_cache_dir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "roomcal";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "roomcal";
    return fs::temp_directory_path() / "roomcal-cache";
}

}  // namespace roomcal
