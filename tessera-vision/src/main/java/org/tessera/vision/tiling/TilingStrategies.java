package org.tessera.vision.tiling;

import java.util.List;
import java.util.Locale;

/** The strategies by name, as the command line and the API choose them. */
public final class TilingStrategies {
    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("internvl", "ixc-hd", "catty", "fixed");

    private TilingStrategies() {}

    public static TilingStrategy create(String name, TilingOptions options) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "internvl", "dynamic" -> new InternVLDynamicTiling(options);
            case "ixc-hd", "hd", "4khd" -> new HdPartitionTiling(options);
            case "catty" -> new CattyTiling(options);
            case "fixed", "low-res" -> new FixedResolution(options);
            default -> throw new IllegalArgumentException("unknown tiling strategy '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }
}
