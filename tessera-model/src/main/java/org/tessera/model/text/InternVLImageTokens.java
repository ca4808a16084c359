package org.tessera.model.text;

/**
 * InternVL's image text: {@code <img>}, then one {@code <IMG_CONTEXT>} per image embedding, then {@code </img>}
 * ({@code IMG_START_TOKEN + IMG_CONTEXT_TOKEN * num_image_token * num_patches + IMG_END_TOKEN} in {@code chat()}).
 *
 * @param tiles         the image's tiles, thumbnail included ({@code num_patches})
 * @param tokensPerTile embeddings per tile after pixel shuffle ({@code num_image_token}: 256 for 448 px tiles)
 */
public record InternVLImageTokens(int tiles, int tokensPerTile) implements ImageTokenLayout {

    public static final String IMG_START = "<img>";
    public static final String IMG_END = "</img>";
    public static final String IMG_CONTEXT = "<IMG_CONTEXT>";

    /** The token count of the four target models: (448 / 14)² × 0.5² = 256 per tile. */
    public static final int TOKENS_PER_448_TILE = 256;

    public InternVLImageTokens {
        if (tiles < 1) throw new IllegalArgumentException("an image has at least one tile, got " + tiles);
        if (tokensPerTile < 1) throw new IllegalArgumentException("tokensPerTile must be positive, got " + tokensPerTile);
    }

    /** {@code tiles} tiles of 448 px (256 tokens each). */
    public static InternVLImageTokens ofTiles(int tiles) {
        return new InternVLImageTokens(tiles, TOKENS_PER_448_TILE);
    }

    @Override
    public int contextTokens() {
        return Math.multiplyExact(tiles, tokensPerTile);
    }

    @Override
    public String expand(String imgContextToken) {
        int n = contextTokens();
        StringBuilder sb = new StringBuilder(IMG_START.length() + IMG_END.length() + n * imgContextToken.length());
        sb.append(IMG_START);
        sb.append(imgContextToken.repeat(n));
        sb.append(IMG_END);
        return sb.toString();
    }
}
