package org.diffij.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.diffij.DiffijException;
import org.diffij.io.AtomicFiles;
import org.diffij.io.InputFiles;
import org.w3c.dom.Node;

/**
 * PNG files with text chunks, as A1111 writes them: the generation parameters go into an
 * uncompressed {@code tEXt} chunk named {@code parameters}, which A1111's and ComfyUI's "PNG info"
 * read. Files are written to a temporary file and renamed, never half-written.
 */
public final class PngFiles {

    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {
    }

    public static void write(Path target, RgbImage image, Map<String, String> text) {
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        buffered.setRGB(0, 0, image.width(), image.height(), image.toPackedRgb(), 0, image.width());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(buffered),
                    writer.getDefaultWriteParam());
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode latin = new IIOMetadataNode("tEXt");
            IIOMetadataNode unicode = new IIOMetadataNode("iTXt");
            for (Map.Entry<String, String> entry : text.entrySet()) {
                // tEXt holds Latin-1 only; like PIL, fall back to UTF-8 iTXt for prompts in other scripts.
                if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(entry.getValue())) {
                    IIOMetadataNode chunk = new IIOMetadataNode("tEXtEntry");
                    chunk.setAttribute("keyword", entry.getKey());
                    chunk.setAttribute("value", entry.getValue());
                    latin.appendChild(chunk);
                } else {
                    IIOMetadataNode chunk = new IIOMetadataNode("iTXtEntry");
                    chunk.setAttribute("keyword", entry.getKey());
                    chunk.setAttribute("compressionFlag", "FALSE");
                    chunk.setAttribute("compressionMethod", "0");
                    chunk.setAttribute("languageTag", "");
                    chunk.setAttribute("translatedKeyword", "");
                    chunk.setAttribute("text", entry.getValue());
                    unicode.appendChild(chunk);
                }
            }
            if (latin.hasChildNodes()) {
                root.appendChild(latin);
            }
            if (unicode.hasChildNodes()) {
                root.appendChild(unicode);
            }
            metadata.mergeTree(FORMAT, root);
            AtomicFiles.write(target, file -> {
                try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                    writer.setOutput(out);
                    writer.write(new IIOImage(buffered, null, metadata));
                }
            });
        } catch (IOException e) {
            throw new DiffijException(target + ": cannot be written (" + e.getMessage() + ")", e);
        } finally {
            writer.dispose();
        }
    }

    /** The image's pixels as RGB, read by {@link ImageFiles} (any format it reads, 16/32-bit included). */
    public static RgbImage read(Path file) {
        return ImageFiles.readRgb(file);
    }

    /** The text chunks (tEXt, zTXt, iTXt) of a PNG file, by keyword. */
    public static Map<String, String> readText(Path file) {
        Map<String, String> text = new LinkedHashMap<>();
        InputFiles.requireFile(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new NoSuchFileException(file.toString());
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DiffijException(file + ": not a PNG file");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                IIOMetadata metadata = reader.getImageMetadata(0);
                if (!Arrays.asList(metadata.getMetadataFormatNames()).contains(FORMAT)) {
                    return text;
                }
                collect((IIOMetadataNode) metadata.getAsTree(FORMAT), text);
            } finally {
                reader.dispose();
            }
        } catch (NoSuchFileException e) {
            throw new DiffijException(file + ": no such file");
        } catch (IOException e) {
            throw new DiffijException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return text;
    }

    private static void collect(IIOMetadataNode root, Map<String, String> text) {
        for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
            for (Node entry = chunk.getFirstChild(); entry != null; entry = entry.getNextSibling()) {
                if (!(entry instanceof IIOMetadataNode node)) {
                    continue;
                }
                switch (entry.getNodeName()) {
                    case "tEXtEntry", "zTXtEntry" -> text.put(node.getAttribute("keyword"), node.getAttribute("text")
                            .isEmpty() ? node.getAttribute("value") : node.getAttribute("text"));
                    case "iTXtEntry" -> text.put(node.getAttribute("keyword"), node.getAttribute("text"));
                    default -> {
                    }
                }
            }
        }
    }
}
