package org.diffij.io.pickle;

/**
 * What is wrong inside a pickle stream, without the file name, which the caller that knows it adds
 * (as a {@link TorchPickleException}).
 */
final class PickleFormatException extends RuntimeException {

    PickleFormatException(String problem) {
        super(problem);
    }
}
