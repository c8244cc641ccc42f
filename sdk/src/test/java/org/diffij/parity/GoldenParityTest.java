package org.diffij.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every implemented golden case of every implemented area, as one JUnit test each. */
class GoldenParityTest {

    @TestFactory
    Stream<DynamicTest> everyImplementedCaseMatchesTheReference() {
        ParityRunner runner = new ParityRunner();
        return Golden.manifest().cases().stream()
                .filter(c -> AreaRunners.forArea(c.area()).filter(r -> r.notImplemented(c).isEmpty()).isPresent())
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> {
                    CaseResult result = runner.run(c);
                    assertEquals(CaseResult.Status.PASS, result.status(), result.line());
                }));
    }
}
