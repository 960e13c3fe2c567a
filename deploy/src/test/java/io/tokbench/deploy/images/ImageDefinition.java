package io.tokbench.deploy.images;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A container image as its Jib configuration defines it: the shared settings in the parent pom's
 * plugin management and the module's own (image, main class, ports, environment). Read from the
 * poms, so a test runs what the image would, not a copy of it.
 */
record ImageDefinition(String image, String tag, String mainClass, List<String> jvmFlags, String user, List<String> ports, Map<String, String> environment) {
  /** The repository root: tests run in deploy/. */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static ImageDefinition of(String module) throws Exception {
    Element shared = jib(ROOT.resolve("pom.xml"));
    Element own = jib(ROOT.resolve(module).resolve("pom.xml"));
    Map<String, String> environment = new LinkedHashMap<>();
    Element env = child(child(own, "container"), "environment");
    if (env != null) {
      for (Element variable : children(env)) {
        environment.put(variable.getTagName(), variable.getTextContent().trim());
      }
    }
    return new ImageDefinition(
        text(child(child(own, "to"), "image")),
        text(child(child(child(own, "to"), "tags"), "tag")).replace("${project.version}", projectVersion()),
        text(child(child(own, "container"), "mainClass")),
        texts(child(child(shared, "container"), "jvmFlags")),
        text(child(child(shared, "container"), "user")),
        texts(child(child(own, "container"), "ports")),
        environment);
  }

  static String projectVersion() throws Exception {
    Document pom = parse(ROOT.resolve("pom.xml"));
    return text(child(pom.getDocumentElement(), "version"));
  }

  static String property(String name) throws Exception {
    return text(child(child(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "properties"), name));
  }

  private static Element jib(Path pom) throws Exception {
    NodeList plugins = parse(pom).getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if ("jib-maven-plugin".equals(text(child(plugin, "artifactId")))) {
        return child(plugin, "configuration");
      }
    }
    throw new IllegalStateException("no jib-maven-plugin in " + pom);
  }

  private static Document parse(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Element child : children(parent)) {
      if (child.getTagName().equals(name)) {
        return child;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent) {
    List<Element> elements = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        elements.add(e);
      }
    }
    return elements;
  }

  private static String text(Element element) {
    return element == null ? null : element.getTextContent().trim();
  }

  private static List<String> texts(Element parent) {
    return parent == null ? List.of() : children(parent).stream().map(ImageDefinition::text).toList();
  }
}
