package io.llmstore.core.price;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every Java example of the prices page (docs/prices.md, where the README's "Prices" section moved) compiles as written (imports aside) and runs without an
 * exception, so a new user can paste it: the snippets are compiled from docs/prices.md itself, not from a copy.
 */
class ReadmePriceExamplesTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void thePricePageExamplesCompileAndRunAsWritten() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "prices.md"));
        assertThat(page).as("docs/prices.md is the prices page").startsWith("# Prices\n");
        Matcher m = JAVA_BLOCK.matcher(page);
        List<String> snippets = new ArrayList<>();
        while (m.find()) {
            snippets.add(m.group(1));
        }
        assertThat(snippets).isNotEmpty();
        for (int i = 0; i < snippets.size(); i++) {
            String source = "import io.llmstore.core.price.*;\nimport java.math.*;\nimport java.time.*;\nimport java.util.*;\n"
                    + "public class Snippet" + i + " {\n  public static void run() throws Exception {\n" + snippets.get(i)
                    + "\n  }\n}\n";
            assertThat(compileAndRun("Snippet" + i, source)).as("docs/prices.md example %d:%n%s", i, snippets.get(i)).isEmpty();
        }
    }

    // Compiles against this test's class path and runs run(); returns the compiler's diagnostics (empty when fine).
    private static String compileAndRun(String name, String source) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path out = Files.createTempDirectory("readme-snippet");
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            boolean ok = javac.getTask(diagnostics, files, null,
                    List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path")), null, List.of(file)).call();
            if (!ok) {
                return diagnostics.toString();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, ReadmePriceExamplesTest.class.getClassLoader())) {
            Method run = loader.loadClass(name).getMethod("run");
            run.invoke(null);
        }
        return "";
    }

}
