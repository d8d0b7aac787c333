package dev.knitting.bench;

/** What a measured side owns between rounds: pools, executors or child processes. */
interface Side {
    /** Creates what the rounds use. */
    void open() throws Exception;

    /** Releases it; waits for its threads and processes. */
    void close() throws Exception;

    /** Stops what can be stopped at once, from another thread, when a round or close hung. */
    default void abandon() {
    }

    /** One round of a side of type {@code S}. */
    @FunctionalInterface
    interface Round<S> {
        Measurement run(S side, RoundSpec spec) throws Exception;
    }

    /** @return a contender that opens, measures with {@code round}, closes and abandons {@code side} */
    static <S extends Side> Contender contender(String name, S side, Round<S> round) {
        return new Contender(name) {
            @Override
            public void open() throws Exception {
                side.open();
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                return round.run(side, spec);
            }

            @Override
            public void close() throws Exception {
                side.close();
            }

            @Override
            public void abandon() {
                side.abandon();
            }
        };
    }
}
