package dev.knitting.testtasks;

/** A class that is neither a record nor an enum: never a payload, even in an allowed package. */
public final class PlainBean {
    private final int value;

    /** @param value any value */
    public PlainBean(int value) {
        this.value = value;
    }

    /** @return the value */
    public int value() {
        return value;
    }
}
