package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.diffij.DiffijVersion;
import org.diffij.cli.Version;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Infotext;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class ReleaseVersionTest {

    private static String pomVersion() {
        String pom = System.getProperty("diffij.project.version");
        assertNotNull(pom, "the parent pom's surefire sets diffij.project.version");
        return pom;
    }

    @Test
    void fijiRecordsTheVersionTheCommandLineReportsWhichIsThePomsVersion() {
        String cli = new Version().getVersion()[0];
        assertEquals("Diffij " + pomVersion(), cli, "diffij --version");
        ImagePlus image = new ImagePlus("recorded", new ColorProcessor(8, 8));
        image.setProp(Provenance.PARAMETERS, GenerationRequest.of("m", "a cat").toMacroOptions());
        assertEquals(cli, Infotext.pairs(Provenance.parameters(image)).get("Version"), "what Fiji writes on results");
    }

    @Test
    void theVersionIsAReleaseVersion() {
        assertTrue(pomVersion().matches("\\d+\\.\\d+\\.\\d+"), "not a release version: " + pomVersion());
        assertEquals(pomVersion(), DiffijVersion.current(), "the SDK's version.properties, which Fiji's SDK jar carries");
    }

    @Test
    void everyModuleHasTheParentsVersion() throws Exception {
        Path root = HeadlessImageJ.projectRoot();
        assertEquals(pomVersion(), childText(pom(root.resolve("pom.xml")), "version"), "pom.xml");
        for (String module : List.of("sdk", "plugin", "samples")) {
            Path file = root.resolve(module).resolve("pom.xml");
            assertTrue(Files.isRegularFile(file), file.toString());
            Element parent = (Element) pom(file).getElementsByTagName("parent").item(0);
            assertNotNull(parent, file + " has no <parent>");
            assertEquals(pomVersion(), childText(parent, "version"), file + " <parent><version>");
            assertEquals(null, childText(pom(file), "version"), file + " must take its version from the parent");
        }
    }

    private static Element pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    /** The text of {@code element}'s direct child {@code name}, or null. */
    private static String childText(Element element, String name) {
        for (var node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && child.getTagName().equals(name)) {
                return child.getTextContent().strip();
            }
        }
        return null;
    }
}
