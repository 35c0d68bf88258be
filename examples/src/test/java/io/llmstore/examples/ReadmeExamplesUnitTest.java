package io.llmstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.net.URI;
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
 * Every Java block of README.md compiles against the real modules as written (imports aside), with the names it
 * leaves to the reader ({@code metric}, {@code prompt}, {@code llm}, {@code dataSource}, ..., and {@code pool} where the
 * block does not open one) declared as parameters:
 * a README example that uses an API that changed fails here. Compiled, not run (that needs servers; the examples
 * module's tests run the programs).
 */
class ReadmeExamplesUnitTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final String IMPORTS = String.join("\n",
            "import io.llmstore.core.StoragePool;",
            "import io.llmstore.core.config.StorageConfig;",
            "import io.llmstore.core.usage.*;",
            "import io.llmstore.core.ratelimit.*;",
            "import io.llmstore.core.health.*;",
            "import io.llmstore.core.event.*;",
            "import io.llmstore.core.price.*;",
            "import io.llmstore.core.stream.*;",
            "import io.llmstore.core.gateway.*;",
            "import io.llmstore.core.operation.*;",
            "import io.llmstore.core.trace.*;",
            "import io.llmstore.core.conversation.*;",
            "import io.llmstore.core.embedding.*;",
            "import io.llmstore.timescale.PostgresBackendProvider;",
            "import io.llmstore.redis.RedisBackendProvider;",
            "import io.llmstore.kafka.KafkaBackendProvider;",
            "import io.lettuce.core.RedisClient;",
            "import org.apache.kafka.clients.producer.Producer;",
            "import javax.sql.DataSource;",
            "import java.math.*;",
            "import java.time.*;",
            "import java.util.*;",
            "");
    /** What the README leaves to the reader. */
    private static final String FREE_NAMES = "UsageMetric metric, Clock clock, String prompt, Llm llm, String sessionId,"
            + " LlmEvent event, StorageConfig config, DataSource dataSource, RedisClient redisClient,"
            + " Producer<String, String> producer, RateLimiter limiter, String body, List<byte[]> upstream,"
            + " java.io.OutputStream client, UUID agentSession, float[] questionVector, String presentedKey";

    @Test
    void everyReadmeJavaBlockCompilesAgainstTheCurrentApi() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = JAVA_BLOCK.matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("README's Java blocks").hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < blocks.size(); i++) {
            String source = IMPORTS + "public class ReadmeBlock" + i + " {\n"
                    + "  interface Llm { String call(String prompt); }\n"
                    + "  static void run(" + FREE_NAMES + (blocks.get(i).contains("StoragePool pool") ? "" : ", StoragePool pool")
                    + ") throws Exception {\n" + blocks.get(i) + "\n  }\n}\n";
            assertThat(compile("ReadmeBlock" + i, source)).as("README Java block %d:%n%s", i, blocks.get(i)).isEmpty();
        }
    }

    private static String compile(String name, String source) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path out = Files.createTempDirectory("readme-block");
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            boolean ok = javac.getTask(diagnostics, files, null,
                    List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path")), null,
                    List.of(file)).call();
            return ok ? "" : diagnostics.toString();
        }
    }
}
