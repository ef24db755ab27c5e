package org.ldirector.daemon;

public final class Main {
    public static void main(String[] args) {
        System.out.println("ldirector");
    }
}
