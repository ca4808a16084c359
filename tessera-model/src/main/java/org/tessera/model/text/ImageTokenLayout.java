package org.tessera.model.text;

/**
 * What one image becomes in the prompt text: the replacement for its {@code <image>} placeholder. InternVL's plain
 * layout is {@link InternVLImageTokens}; layouts with tile tags (NVLM-style text between tiles) implement this too,
 * which is why the expansion is a function of the context token rather than a fixed string.
 */
public interface ImageTokenLayout {

    /** The prompt text for this image, with {@code imgContextToken} standing for each image feature vector. */
    String expand(String imgContextToken);

    /** How many {@code imgContextToken}s {@link #expand} writes: the image embeddings this image must supply. */
    int contextTokens();
}
