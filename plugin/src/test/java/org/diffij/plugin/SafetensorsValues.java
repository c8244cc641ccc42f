package org.diffij.plugin;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.diffij.io.SafetensorsFile;

/** Every tensor of a trained file as float values by name, to compare two runs' weights exactly. */
public final class SafetensorsValues {

    private SafetensorsValues() {
    }

    public static Map<String, float[]> of(Path file) {
        Map<String, float[]> values = new TreeMap<>();
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            for (String name : in.names()) {
                values.put(name, in.read(name).toFloatArray());
            }
        }
        return values;
    }
}
