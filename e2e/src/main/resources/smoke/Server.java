// A tiny pod program for the process-kubelet smoke scenario, run with the JDK's source launcher
// (`java /app/Server.java`) from a ConfigMap volume. It binds the pod IP, serves /healthz and /readyz,
// resolves names through the kubelet's hosts file (/resolve?name=...), and writes and reads a file in
// its volume claim (/write, /read) to show that the data outlives the pod, and reads its ConfigMap
// volume (/config?key) to show that ConfigMap changes reach running pods.
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class Server {
  public static void main(String[] args) throws Exception {
    String ip = System.getenv("POD_IP");
    Path data = Path.of(System.getenv("DATA_DIR"));
    HttpServer server = HttpServer.create(new InetSocketAddress(ip, 8080), 16);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String query = ex.getRequestURI().getQuery();
      int code = 200;
      String body;
      try {
        switch (path) {
          case "/healthz", "/readyz" -> body = "ok " + System.getenv("POD_NAME");
          case "/resolve" -> body = InetAddress.getByName(query.substring("name=".length())).getHostAddress();
          case "/write" -> { Files.writeString(data.resolve("note"), query); body = "written"; }
          case "/read" -> body = Files.readString(data.resolve("note"));
          case "/config" -> body = Files.readString(Path.of(System.getenv("APP_DIR")).resolve(query));
          default -> { code = 404; body = "no " + path; }
        }
      } catch (Exception e) {
        code = 500;
        body = e.toString();
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(code, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    System.out.println("serving on " + ip + ":8080 as " + System.getenv("POD_NAME") + ", data in " + data);
  }
}
