package org.tessera.model.text;

import java.util.Objects;
import org.tessera.vision.tiling.InputLayout;

/**
 * An image's prompt text written from the tiler's {@link InputLayout}: {@code <img>} and {@code </img>} for the
 * layout's start and end, tile tags (NVLM's {@code <tile_1>}, {@code <tile_global_thumbnail>}, …) as plain text, and
 * one {@code <IMG_CONTEXT>} per image feature. For a plain InternVL plan this is exactly
 * {@link InternVLImageTokens}'s text; with tags it is NVLM's interleaving.
 *
 * <p>Learned newline and separator embeddings (the 4KHD layout's {@code sub_GN} / {@code glb_GN}) have no text form
 * in an InternVL prompt and no weights in an InternVL checkpoint, so such a layout is refused here with a clear
 * message rather than silently dropped.
 */
public record LayoutImageTokens(InputLayout layout) implements ImageTokenLayout {

    public LayoutImageTokens {
        Objects.requireNonNull(layout, "layout");
        for (InputLayout.Segment s : layout.segments()) {
            if (s instanceof InputLayout.Newline || s instanceof InputLayout.Separator) {
                throw new IllegalArgumentException("this layout has learned newline/separator embeddings (InternLM-XComposer2-4KHD's"
                        + " sub_GN/glb_GN), which InternVL checkpoints do not have; use the internvl or catty strategy");
            }
        }
    }

    @Override
    public String expand(String imgContextToken) {
        StringBuilder sb = new StringBuilder();
        for (InputLayout.Segment s : layout.segments()) {
            switch (s) {
                case InputLayout.Start st -> sb.append(InternVLImageTokens.IMG_START);
                case InputLayout.End e -> sb.append(InternVLImageTokens.IMG_END);
                case InputLayout.Text t -> sb.append(t.text());
                case InputLayout.Tokens t -> sb.append(imgContextToken.repeat(t.count()));
                case InputLayout.Newline n -> throw new AssertionError("refused in the constructor");
                case InputLayout.Separator n -> throw new AssertionError("refused in the constructor");
            }
        }
        return sb.toString();
    }

    @Override
    public int contextTokens() {
        int n = 0;
        for (InputLayout.Segment s : layout.segments()) if (s instanceof InputLayout.Tokens t) n = Math.addExact(n, t.count());
        return n;
    }
}
