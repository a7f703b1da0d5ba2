// An ImGui context with its font atlas built and no renderer: frames build draw lists
// that nothing draws, which is all a test of what the monitor draws needs.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace roomcal::test {

class ImGuiHeadless {
public:
    explicit ImGuiHeadless(ImVec2 display_size) : context_(ImGui::CreateContext()) {
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = display_size;
        io.DeltaTime = 1.0f / 60.0f;
        io.IniFilename = nullptr;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(1)));
    }
    ~ImGuiHeadless() { ImGui::DestroyContext(context_); }
    ImGuiHeadless(const ImGuiHeadless&) = delete;
    ImGuiHeadless& operator=(const ImGuiHeadless&) = delete;

private:
    ImGuiContext* context_;
};

}  // namespace roomcal::test
